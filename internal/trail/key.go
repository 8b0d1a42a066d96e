package trail

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"recours/internal/store"
)

// KeyFileName is the key of the embedded default, in its data directory.
const KeyFileName = "audit.key"

// ParseKey reads a key written in hex or in base64 (standard or URL, with
// or without padding); it must hold store.MinTrailKey bytes at least.
// Hex is tried first: 64 hex digits are also valid base64.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	key, err := hex.DecodeString(s)
	if err != nil {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if key, err = enc.DecodeString(s); err == nil {
				break
			}
		}
	}
	if err != nil {
		return nil, errors.New("clé de la trace illisible : 64 chiffres hexadécimaux ou du base64 attendus (openssl rand -hex 32)")
	}
	if len(key) < store.MinTrailKey {
		return nil, fmt.Errorf("clé de la trace trop courte : %d octets, %d au moins (openssl rand -hex 32)", len(key), store.MinTrailKey)
	}
	return key, nil
}

// ReadKeyFile reads the key written in path (as ParseKey reads it). A
// file others may read is used, and said in the logs.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("clé de la trace : %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		slog.Warn("the access trail's key file may be read by others: chmod 600", "path", path, "mode", fi.Mode().Perm().String())
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s : %w", path, err)
	}
	return key, nil
}

// KeyIn returns the key of the data directory dir (KeyFileName), made the
// first time: 32 random bytes in hex, mode 0600. The embedded default's
// trail is signed with it; keep it with the data, outside the database.
// The key is written aside, then linked into place: two processes starting
// on the same directory agree on one key.
func KeyIn(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFileName)
	if _, err := os.Stat(path); err == nil {
		return ReadKeyFile(path)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, KeyFileName+".*")
	if err != nil {
		return nil, fmt.Errorf("clé de la trace : %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return ReadKeyFile(path)
	case err != nil:
		return nil, fmt.Errorf("clé de la trace : %w", err)
	}
	return key, nil
}
