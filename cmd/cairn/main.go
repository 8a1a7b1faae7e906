// Command cairn runs the Cairn server: a Redis-protocol key-value server.
//
//	cairn [/path/to/cairn.conf] [--directive value …]
//	cairn ping [host:port]      (health check: exit 0 when the server answers)
//
// Settings use Redis's directive names (--port, --bind, --databases,
// --requirepass, --appendfsync …), in a redis.conf-style file or on the
// command line; the command line wins. Data is kept durably in Pebble in
// --dir (default ./data) unless --engine memory is given; the memory engine
// loads <dir>/dump.rdb (which its SAVE writes) when there is one. SIGINT
// and SIGTERM shut the server down as redis-server's do, as does the
// SHUTDOWN command: with save points configured (--save), the memory
// engine saves dump.rdb first, and stays up if that fails. daemonize,
// pidfile and supervised (systemd, upstart) work as in redis-server (see
// supervise.go).
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
	if len(os.Args) > 1 && os.Args[1] == "ping" {
		os.Exit(pingMain(os.Args[2:]))
	}
	// The daemon is durable by default; --engine memory keeps the data in
	// the process only.
	// The daemon owns the process, so maxmemory may set GOMEMLIMIT and
	// io-threads GOMAXPROCS.
	// It listens while it loads, answering LOADING, as redis-server does.
	cfg := server.Config{Port: 6379, Engine: "pebble", SetGoMemLimit: true, SetGoMaxProcs: true, LoadInBackground: true, LoadRDBFile: true}
	// Redis's save points apply unless the file or the command line
	// gives save lines.
	cfg.Set("save", server.DefaultSavePoints)
	if err := server.ParseArgs(&cfg, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(2)
	}
	logger, logFile, err := newLogger(&cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn: logfile:", err)
		os.Exit(1)
	}
	cfg.Logger = logger
	mode, _ := cfg.Get("supervised")
	cfg.Supervised = detectSupervisor(mode, logger)
	var readyPipe *os.File
	if background(&cfg) {
		readyPipe = daemonize() // returns in the background copy only
	}
	// Catch signals before the port opens: a supervisor may send SIGTERM
	// as soon as it sees the server listening.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	srv, err := server.Start(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		logFile.Close()
		os.Exit(1)
	}
	pidFile := writePidFile(&cfg, logger)
	go func() {
		select {
		case <-srv.Ready():
		case <-srv.Done():
			return
		}
		notifyReady(cfg.Supervised, logger)
		if readyPipe != nil {
			detach(readyPipe)
		}
	}()
	code := serve(srv, sig, cfg.Logger)
	notifyStopping(cfg.Supervised, logger)
	if pidFile != "" {
		os.Remove(pidFile)
	}
	logFile.Close()
	os.Exit(code)
}

// serve runs until the server shuts down and returns the exit status.
// SIGINT and SIGTERM shut it down as redis-server's do (save first when
// save points are configured; a failed save keeps it running); a second
// SIGINT while that save runs exits at once, with status 1.
func serve(srv *server.Server, sig <-chan os.Signal, log *slog.Logger) int {
	attempt := make(chan error, 2)
	attempts := 0 // shutdowns not yet returned
	for {
		select {
		case s := <-sig:
			// A shutdown SHUTDOWN ABORT stopped is no longer under way,
			// even before its goroutine returns: this signal starts another.
			if attempts > 0 && srv.ShutdownUnderWay() {
				if s == syscall.SIGINT {
					srv.AbandonShutdown()
					return 1
				}
				continue // as Redis, which is busy saving meanwhile
			}
			attempts++
			go func() { attempt <- srv.ShutdownOnSignal(s) }()
		case <-attempt:
			attempts-- // the shutdown failed, or it closed the server (Done)
		case <-srv.Done():
			if err := srv.Close(); err != nil {
				log.Error("shutdown", "err", err)
				return 1
			}
			return 0
		}
	}
}
