package server

import (
	"log/slog"
	"strings"
)

// LogLevel maps Redis's loglevel names to slog levels: debug and verbose
// are Debug, notice (the default) is Info, warning is Warn, nothing
// silences everything.
func LogLevel(name string) slog.Level {
	switch strings.ToLower(name) {
	case "debug", "verbose":
		return slog.LevelDebug
	case "warning":
		return slog.LevelWarn
	case "nothing":
		return slog.LevelError + 4
	}
	return slog.LevelInfo
}

// applyLogLevel makes CONFIG SET loglevel take effect when the embedder
// handed the server its handler's level (Config.LogLevel).
func (s *Server) applyLogLevel() {
	if s.cfg.LogLevel != nil {
		s.cfg.LogLevel.Set(LogLevel(s.cfg.tuning["loglevel"]))
	}
}
