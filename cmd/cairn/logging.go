package main

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/cairn-db/cairn/server"
)

// newLogger builds the structured logger from loglevel and logfile, as
// redis.conf names them: debug, verbose, notice (the default), warning;
// an empty logfile logs to stderr.
func newLogger(cfg *server.Config) (*slog.Logger, io.Closer, error) {
	level := slog.LevelInfo
	lv, _ := cfg.Get("loglevel")
	switch strings.ToLower(lv) {
	case "debug", "verbose":
		level = slog.LevelDebug
	case "warning":
		level = slog.LevelWarn
	case "nothing":
		level = slog.LevelError + 4
	}
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
