FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY caseload caseload
COPY weighting weighting
COPY participants participants
COPY reports reports
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home caseload
USER caseload
EXPOSE 8000
CMD ["gunicorn", "caseload.config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
