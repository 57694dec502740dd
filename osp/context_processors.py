from django.conf import settings


def osp(request):
    return {"company_name": settings.OSP_COMPANY_NAME,
            "base_currency": settings.OSP_BASE_CURRENCY}
