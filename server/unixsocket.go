package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
)

// listenUnix listens on the Unix socket path, as redis-server's unixsocket:
// a file left there by an earlier run is removed first, and perm, when
// set, becomes the socket's mode. Closing the listener removes the file.
func listenUnix(path string, perm os.FileMode) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("unixsocket %s: %w", path, err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("Failed opening Unix socket: %w", err)
	}
	if perm != 0 {
		if err := os.Chmod(path, perm); err != nil {
			ln.Close()
			return nil, fmt.Errorf("unixsocketperm %s: %w", path, err)
		}
	}
	return ln, nil
}

// clientAddr is how CLIENT LIST, CLIENT KILL ADDR and the logs name an
// end of a connection: host:port, or, on a Unix socket (whose peer has no
// name), the socket's path with port 0, as Redis shows it.
func clientAddr(a, local net.Addr) string {
	if _, ok := local.(*net.UnixAddr); ok {
		return local.String() + ":0"
	}
	return a.String()
}
