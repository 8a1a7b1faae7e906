//go:build !unix

package main

import (
	"log/slog"
	"os"
)

// daemonize: there is no session to start a background copy in here.
func daemonize() *os.File {
	fatal("daemonize yes is not supported on this system; run the server under a service manager")
	return nil
}

// detach has nothing to let go of where daemonize is not supported.
func detach(*os.File) {}

// notifyReady tells systemd the server is ready (upstart is Linux's).
func notifyReady(supervisor string, log *slog.Logger) {
	if supervisor == "systemd" {
		sdNotify("STATUS=Ready to accept connections\nREADY=1\n", log)
	}
}
