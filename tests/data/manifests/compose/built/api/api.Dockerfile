FROM rust:1.79 AS build
WORKDIR /src
COPY . .
RUN cargo build --release

FROM debian:bookworm-slim
COPY --from=build /src/target/release/api /usr/local/bin/api
EXPOSE 9000 9464
VOLUME /var/lib/api
USER 65534
HEALTHCHECK CMD ["/usr/local/bin/api", "health"]
ENTRYPOINT ["/usr/local/bin/api"]
