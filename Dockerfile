# The OSP image: web (gunicorn), worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 osp
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY --chown=osp:osp . .
# Hashed, compressed static files, served by whitenoise from the app server.
RUN SECRET_KEY=build DEBUG=0 python manage.py collectstatic --no-input \
    && mkdir -p /app/var && chown osp:osp /app/var
USER osp
EXPOSE 8000
CMD ["gunicorn", "osp.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
