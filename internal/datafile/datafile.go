// Package datafile keeps the SQLite databases of Recours (the app's
// recours.db, the embedded Temporal server's temporal.db) readable and
// writable by the process's user only: they hold claimants' data. It
// imports nothing of Recours.
package datafile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Mode is the mode of a data file; DirMode of a folder Recours creates.
const (
	Mode    fs.FileMode = 0o600
	DirMode fs.FileMode = 0o700
)

// companions are the files SQLite keeps beside a database. It creates
// them with the database's own mode, so a database made private before
// SQLite first opens it has private companions.
var companions = []string{"", "-wal", "-shm", "-journal"}

// Private makes the database at path its user's only before SQLite opens
// it: when missing, it is created empty with Mode (its folder with
// DirMode; a folder already there keeps its mode); when there, it and its
// companions are set to Mode, for a database created by an earlier
// version with the default 0644.
func Private(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), DirMode); err != nil {
		return fmt.Errorf("data file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, Mode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("data file: %w", err)
	}
	for _, suffix := range companions {
		info, err := os.Stat(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("data file: %w", err)
		}
		if info.Mode().Perm() != Mode {
			if err := os.Chmod(path+suffix, Mode); err != nil {
				return fmt.Errorf("data file: %w", err)
			}
		}
	}
	return nil
}
