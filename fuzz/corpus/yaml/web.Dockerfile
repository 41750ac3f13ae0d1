# syntax=docker/dockerfile:1.6
# A Go service: built in one stage, run from distroless.
ARG GO_VERSION=1.22
ARG RUNTIME=gcr.io/distroless/static-debian12:nonroot

FROM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" \
      -o /out/web ./cmd/web && \
    CGO_ENABLED=0 go build -o /out/healthcheck ./cmd/healthcheck

FROM ${RUNTIME}
COPY --from=build /out/web /usr/local/bin/web
COPY --from=build /out/healthcheck /usr/local/bin/healthcheck
EXPOSE 8080 9090/tcp
USER 65532:65532
VOLUME ["/var/lib/web"]
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["/usr/local/bin/healthcheck", "-addr", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/web"]
CMD ["--listen", ":8080"]
