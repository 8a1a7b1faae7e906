# syntax=docker/dockerfile:1
# Build: docker build -t cairn .
# Run:   docker run -p 6379:6379 -v cairn-data:/data cairn
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary: Pebble needs no cgo.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/cairn ./cmd/cairn \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cairn /usr/local/bin/cairn
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
EXPOSE 6379 9121
# No shell or redis-cli in the image: the binary checks itself.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["/usr/local/bin/cairn", "ping", "127.0.0.1:6379"]
ENTRYPOINT ["/usr/local/bin/cairn"]
# Listen on every interface inside the container. Published ports reach
# the server from the bridge network, so protected mode is off as in the
# official Redis image: set --requirepass (or an --aclfile) before
# publishing beyond localhost. A mounted config file works too:
#   docker run -v ./cairn.conf:/etc/cairn/cairn.conf cairn /etc/cairn/cairn.conf
CMD ["--bind", "0.0.0.0", "--protected-mode", "no", "--engine", "pebble", "--dir", "/data", "--metrics-addr", "0.0.0.0:9121"]
