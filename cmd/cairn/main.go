// Command cairn runs the Cairn server: a Redis-protocol key-value server.
//
//	cairn [/path/to/cairn.conf] [--directive value …]
//
// Settings use Redis's directive names (--port, --bind, --databases,
// --requirepass …), in a redis.conf-style file or on the command line;
// the command line wins. SIGINT and SIGTERM shut the server down
// gracefully, as does the SHUTDOWN command.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cairn-db/cairn/server"
)

func main() {
	// The daemon owns the process, so maxmemory may set GOMEMLIMIT.
	cfg := server.Config{Port: 6379, SetGoMemLimit: true}
	if err := server.ParseArgs(&cfg, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(2)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv, err := server.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		cfg.Logger.Info("signal received, shutting down", "signal", s.String())
	case <-srv.Done():
	}
	if err := srv.Close(); err != nil {
		cfg.Logger.Error("shutdown", "err", err)
		os.Exit(1)
	}
}
