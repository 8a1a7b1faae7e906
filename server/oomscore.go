package server

import (
	"os"
	"strconv"
	"strings"
)

// oom-score-adj lets the kernel's OOM killer prefer (or spare) the
// server, as in Redis: "yes"/"relative" adds oom-score-adj-values' first
// value (the master's; Cairn is never a replica and forks no child) to
// the process's score as it was before Cairn first changed it,
// "absolute" sets that value, and "no" puts the old score back.

// oomScoreFile is where Linux keeps a process's adjustment.
const oomScoreFile = "/proc/self/oom_score_adj"

// oomScore remembers the score from before Cairn first adjusted it.
// applyConfig's callers serialize its use (cfgMu, or start-up).
type oomScore struct {
	adjusted bool
	base     int
}

// oomScoreDirectives are oom-score-adj and oom-score-adj-values.
func oomScoreDirectives() []directive {
	mode := enumSetting("oom-score-adj", "no", "no", "yes", "relative", "absolute")
	return []directive{
		{name: mode.name,
			get: func(c *Config) string { return c.tuning[mode.name] },
			set: func(c *Config, v string) error {
				norm, err := mode.normalize(v)
				if err != nil {
					return err
				}
				if norm == "relative" {
					norm = "yes" // one mode, shown by its first name, as Redis
				}
				c.tuning[mode.name] = norm
				return nil
			}},
		{name: "oom-score-adj-values",
			get: func(c *Config) string { return c.tuning["oom-score-adj-values"] },
			set: func(c *Config, v string) error {
				values := strings.Split(v, " ")
				if len(values) != 3 {
					return configError("wrong number of arguments")
				}
				for _, s := range values {
					n, err := strconv.Atoi(s)
					if err != nil || n < -2000 || n > 2000 {
						return configError("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
					}
				}
				c.tuning["oom-score-adj-values"] = v
				return nil
			}},
	}
}

// applyOOMScore writes the score the settings ask for, if they ask for
// one or Cairn changed it before. The caller holds cfgMu.
func (s *Server) applyOOMScore() {
	o := &s.oomScore
	mode := s.cfg.tuning["oom-score-adj"]
	var score int
	switch {
	case mode != "no" && mode != "":
		if !o.adjusted {
			b, err := os.ReadFile(oomScoreFile)
			if err != nil {
				s.log.Warn("Unable to read oom_score_adj", "err", err)
				return
			}
			o.base, _ = strconv.Atoi(strings.TrimSpace(string(b)))
			o.adjusted = true
		}
		score, _ = strconv.Atoi(strings.Fields(s.cfg.tuning["oom-score-adj-values"])[0])
		if mode == "yes" {
			score += o.base
		}
		score = max(-1000, min(1000, score))
	case o.adjusted:
		o.adjusted = false
		score = o.base
	default:
		return
	}
	if err := os.WriteFile(oomScoreFile, []byte(strconv.Itoa(score)+"\n"), 0); err != nil {
		s.log.Warn("Unable to write oom_score_adj", "err", err)
	}
}
