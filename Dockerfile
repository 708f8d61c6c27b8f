# syntax=docker/dockerfile:1
# The Drover image: the two NativeAOT binaries from `make publish` on a small non-root base. The entrypoint is the
# operator (`/app/drover`); the model gateway runs from the same image as `/app/drover-gateway` (command override).
# Build with `make image` (multi-arch), or for one architecture:
#   docker buildx build --platform linux/arm64 -t drover:dev .
# BASE_IMAGE must provide glibc, OpenSSL 3 and CA certificates; where registries are closed, hack/image.sh
# makes one from Debian packages and passes --build-arg BASE_IMAGE=localhost/drover-base:<arch>.
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
ARG TARGETARCH

# Docker architecture names to .NET runtime identifiers: only the matching stage is used.
FROM scratch AS binary-amd64
COPY artifacts/publish/linux-x64/drover artifacts/publish/linux-x64/drover-gateway /

FROM scratch AS binary-arm64
COPY artifacts/publish/linux-arm64/drover artifacts/publish/linux-arm64/drover-gateway /

FROM binary-${TARGETARCH} AS binary

FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="drover" \
      org.opencontainers.image.description="Kubernetes operator that runs always-on AI agents" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="Drover"
COPY --from=binary --chown=0:0 --chmod=0755 /drover /app/drover
COPY --from=binary --chown=0:0 --chmod=0755 /drover-gateway /app/drover-gateway
WORKDIR /app
# The same numeric non-root user the chart's securityContext asks for (runAsUser: 65532).
USER 65532:65532
# Operator: metrics 8080, health 8081. Gateway: model API 8090, metrics 8091, health 8092.
EXPOSE 8080 8081 8090 8091 8092
ENTRYPOINT ["/app/drover"]
