package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/cairn-db/cairn/server"
)

// This file is how the daemon fits an init system, as redis-server does
// with the same directives: daemonize (run in the background, the start
// command returning once the server is up), pidfile, and supervised (tell
// systemd or upstart when the server is ready).

// daemonChildEnv marks the background copy of a daemonizing process.
const daemonChildEnv = "CAIRN_DAEMON_CHILD"

// background reports whether the daemon should put itself in the
// background: daemonize yes, unless a supervisor runs it (as Redis).
func background(cfg *server.Config) bool {
	d, _ := cfg.Get("daemonize")
	return d == "yes" && cfg.Supervised == ""
}

// detectSupervisor is Redis's redisIsSupervised: supervised auto finds
// upstart or systemd by their environment; a named one whose
// environment is missing is not used, with Redis's warning.
func detectSupervisor(mode string, log *slog.Logger) string {
	upstart, systemd := os.Getenv("UPSTART_JOB") != "", os.Getenv("NOTIFY_SOCKET") != ""
	switch {
	case mode == "auto" && upstart, mode == "upstart" && upstart:
		return "upstart"
	case mode == "auto" && systemd, mode == "systemd" && systemd:
		return "systemd"
	case mode == "upstart":
		log.Warn("upstart supervision requested, but UPSTART_JOB not found!")
	case mode == "systemd":
		log.Warn("systemd supervision requested or auto-detected, but NOTIFY_SOCKET not found!")
	}
	return ""
}

// notifyStopping tells systemd the server is shutting down.
func notifyStopping(supervisor string, log *slog.Logger) {
	if supervisor == "systemd" {
		sdNotify("STOPPING=1\n", log)
	}
}

// sdNotify sends a state to systemd's notify socket (a path, or an
// abstract name starting with '@', which Go's net package maps).
func sdNotify(state string, log *slog.Logger) {
	addr := &net.UnixAddr{Name: os.Getenv("NOTIFY_SOCKET"), Net: "unixgram"}
	conn, err := net.DialUnix("unixgram", nil, addr)
	if err == nil {
		_, err = conn.Write([]byte(state))
		conn.Close()
	}
	if err != nil {
		log.Warn("Can't send notification to systemd", "err", err)
	}
}

// writePidFile writes the process id to the pidfile, when there is one
// (a daemonized server without one uses Redis's /var/run/redis.pid). A
// failure is logged, not fatal, as in Redis. It returns the path written.
func writePidFile(cfg *server.Config, log *slog.Logger) string {
	path, _ := cfg.Get("pidfile")
	if path == "" && os.Getenv(daemonChildEnv) == "1" {
		path = "/var/run/redis.pid"
	}
	if path == "" {
		return ""
	}
	if err := os.WriteFile(path, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
		log.Warn("Failed to write PID file", "path", path, "err", err)
		return ""
	}
	return path
}

// fatal reports a start-up error and exits.
func fatal(a ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"cairn:"}, a...)...)
	os.Exit(1)
}
