# The project image: every component of gongtui, started by `gongtui serve <component>`
# (nomination | voting | approval | api | worker), configured by GONGTUI_* variables.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY core core
COPY gongtui gongtui
COPY workflows workflows
COPY services services
COPY rules rules
COPY proto proto
COPY api api
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
# the signing keys folder exists in the image so that a fresh volume mounted there is the
# user's (docs/audit.md)
RUN useradd --create-home --uid 10001 gongtui && install -d -o gongtui -m 700 /home/gongtui/keys
COPY --from=build /install /usr/local
USER gongtui
WORKDIR /home/gongtui
ENV PYTHONUNBUFFERED=1 \
    GONGTUI_LOG_FORMAT=json \
    GONGTUI_BIND_HOST=0.0.0.0 \
    GONGTUI_HOST=0.0.0.0 \
    GONGTUI_METRICS_HOST=0.0.0.0 \
    GONGTUI_METRICS_PORT=9100
EXPOSE 8000 9100 50151 50152 50153
# SIGTERM: the component stops gracefully (in-flight RPCs and activities finish)
STOPSIGNAL SIGTERM
ENTRYPOINT ["gongtui"]
CMD ["serve", "api"]
