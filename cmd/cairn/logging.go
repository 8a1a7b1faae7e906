package main

import (
	"io"
	"log/slog"
	"os"

	"github.com/cairn-db/cairn/server"
)

// newLogger builds the structured logger from loglevel and logfile, as
// redis.conf names them: debug, verbose, notice (the default), warning;
// an empty logfile logs to stderr.
func newLogger(cfg *server.Config) (*slog.Logger, io.Closer, error) {
	lv, _ := cfg.Get("loglevel")
	level := new(slog.LevelVar)
	level.Set(server.LogLevel(lv))
	cfg.LogLevel = level // CONFIG SET loglevel changes it at run time
	var w io.Writer = os.Stderr
	var closer io.Closer = io.NopCloser(nil)
	if path, _ := cfg.Get("logfile"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, err
		}
		w, closer = f, f
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), closer, nil
}
