# A mail relay: a user of its own, a queue directory named on the command
# line, a working directory, a health check in shell form.
FROM alpine:3.20
RUN apk add --no-cache ca-certificates \
 && addgroup -S mailer \
 && adduser -S -D -H -u 1500 -G mailer mailer
COPY mailer /usr/local/bin/mailer
WORKDIR /var/lib/mailer
VOLUME /var/spool/mailer
USER mailer
HEALTHCHECK --interval=10s CMD nc -z 127.0.0.1 2525 || exit 1
ENTRYPOINT ["/usr/local/bin/mailer"]
CMD ["--smtp", ":2525", "--queue", "/var/spool/mailer", "--log-file=/var/log/mailer/mailer.log", "--timeout", "30"]
