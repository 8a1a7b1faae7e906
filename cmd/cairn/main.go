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
// and SIGTERM shut the server down gracefully, as does the SHUTDOWN command.
// daemonize, pidfile and supervised (systemd, upstart) work as in
// redis-server (see supervise.go).
package main

import (
	"fmt"
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
	cfg := server.Config{Port: 6379, Engine: "pebble", SetGoMemLimit: true, SetGoMaxProcs: true, LoadInBackground: true}
	// Redis's save points apply unless the file or the command line
	// gives save lines.
	cfg.Set("save", "3600 1 300 100 60 10000")
	if err := server.ParseArgs(&cfg, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cairn:", err)
		os.Exit(2)
	}
	// As redis-server, the memory engine starts from the RDB file its SAVE
	// writes, <dir>/<dbfilename>, when there is one (--import-rdb names
	// another).
	if cfg.Engine == "memory" && cfg.ImportRDB == "" {
		if _, err := os.Stat(cfg.RDBFile()); err == nil {
			cfg.ImportRDB = cfg.RDBFile()
		}
	}
	logger, logFile, err := newLogger(&cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cairn: logfile:", err)
		os.Exit(1)
	}
	defer logFile.Close()
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
	select {
	case s := <-sig:
		cfg.Logger.Info("signal received, shutting down", "signal", s.String())
	case <-srv.Done():
	}
	notifyStopping(cfg.Supervised, logger)
	err = srv.Close()
	if pidFile != "" {
		os.Remove(pidFile)
	}
	if err != nil {
		cfg.Logger.Error("shutdown", "err", err)
		logFile.Close()
		os.Exit(1)
	}
}
