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
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/cairn"]
# Listen on every interface inside the container; set a password
# (--requirepass) before publishing the port beyond localhost.
CMD ["--bind", "0.0.0.0", "--engine", "pebble", "--dir", "/data"]
