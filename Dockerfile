# The OSP image: web (gunicorn), worker and beat all run from it (docker-compose.yml).
# The base is the official Python image; any Debian bookworm image with Debian's python3
# (3.11) works too, e.g. the local base scripts/build_image.sh builds when Docker Hub is
# unreachable: `docker build --build-arg BASE_IMAGE=osp-base:bookworm .`
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}
# The dependencies live in a virtualenv (Debian's system Python refuses `pip install`,
# PEP 668); its bin/ comes first on PATH, so python, gunicorn and celery are the venv's.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
# Debian ships venv's ensurepip separately (python3-venv); the official image has it.
RUN set -eux; \
    pkgs=gettext; \
    if ! python3 -c 'import ensurepip' 2>/dev/null; then pkgs="$pkgs python3-venv"; fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends $pkgs; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    python3 -m venv /opt/venv; \
    useradd --create-home --uid 1000 osp
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY --chown=osp:osp . .
# Hashed, compressed static files, served by whitenoise from the app server. The mount
# points of the compose volumes (media, beat) exist here, owned by osp, so that new named
# volumes start out writable by osp (Docker copies the owner into an empty volume).
RUN SECRET_KEY=build DEBUG=0 python manage.py collectstatic --no-input \
    && mkdir -p /app/var/media /app/var/beat && chown -R osp:osp /app/var
USER osp
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
