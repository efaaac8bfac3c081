#!/usr/bin/env bash
# A self-signed certificate for localhost, for trying the deployment; use your own in production.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p certs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout certs/key.pem -out certs/cert.pem
