//go:build unix

package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// daemonize runs a copy of this process in a session of its own and exits
// when the copy is ready to serve (0) or has died (its status). Go cannot
// fork a running process, so the copy starts afresh, with this one's
// arguments. In the copy, it returns the pipe to report readiness on.
func daemonize() *os.File {
	if os.Getenv(daemonChildEnv) == "1" {
		return os.NewFile(3, "ready")
	}
	exe, err := os.Executable()
	if err != nil {
		fatal("daemonize:", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		fatal("daemonize:", err)
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonChildEnv+"=1")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	// Start-up errors still reach this terminal; once ready, the copy
	// lets go of it (detach).
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fatal("daemonize:", err)
	}
	w.Close()
	msg, _ := io.ReadAll(r)
	if string(msg) == "ready" {
		os.Exit(0)
	}
	if err := cmd.Wait(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			os.Exit(exit.ExitCode())
		}
	}
	os.Exit(1)
	return nil
}

// detach tells the starting process the server is up and lets go of the
// terminal: standard input, output and error become /dev/null.
func detach(ready *os.File) {
	fmt.Fprint(ready, "ready")
	ready.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	for fd := 0; fd <= 2; fd++ {
		unix.Dup2(int(null.Fd()), fd)
	}
	null.Close()
}

// notifyReady tells the supervisor the server is ready: systemd by its
// notify socket, upstart by stopping this process (it resumes it).
func notifyReady(supervisor string, log *slog.Logger) {
	switch supervisor {
	case "systemd":
		sdNotify("STATUS=Ready to accept connections\nREADY=1\n", log)
	case "upstart":
		os.Unsetenv("UPSTART_JOB")
		syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	}
}
