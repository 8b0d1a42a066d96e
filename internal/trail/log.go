package trail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// CheckpointsFileName is the checkpoints' log of the embedded default, in
// its data directory.
const CheckpointsFileName = "audit-checkpoints.jsonl"

// Log is where checkpoints go, outside the database: appended to, never
// rewritten.
type Log interface {
	// Append adds c after the checkpoints already there.
	Append(c Checkpoint) error
	// Last is the checkpoint appended last, if any and readable.
	Last() (Checkpoint, bool, error)
}

// OpenLog is the log that where names: a path, or a file:// URL. A
// write-once store of another kind (an object store with retention, say)
// would be another scheme.
func OpenLog(where string) (*FileLog, error) {
	path, err := logPath(where)
	if err != nil {
		return nil, err
	}
	return &FileLog{Path: path}, nil
}

func logPath(where string) (string, error) {
	if where == "" {
		return "", errors.New("points de contrôle de la trace : aucun fichier donné")
	}
	if !strings.Contains(where, "://") {
		return filepath.Clean(where), nil
	}
	u, err := url.Parse(where)
	if err != nil {
		return "", fmt.Errorf("points de contrôle de la trace : %w", err)
	}
	if u.Scheme != "file" || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
		return "", fmt.Errorf("points de contrôle de la trace : %q : seul un fichier (un chemin ou file:///chemin) est pris en charge", where)
	}
	return filepath.Clean(u.Path), nil
}

// FileLog is a file of JSON lines, each a checkpoint. Each line is written
// by one write(2) on a file opened O_APPEND: several processes on one host
// (API processes sharing a volume) append to the same file without
// mixing their lines. Make it append-only for the account that runs
// Recours (chattr +a), or ship it elsewhere as it grows.
type FileLog struct {
	Path string
}

// Append writes c as one line at the end of the file, made mode 0600 if
// needed.
func (l *FileLog) Append(c Checkpoint) error {
	line, err := json.Marshal(c)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("trail: checkpoints: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("trail: checkpoints: %w", err)
	}
	return nil
}

// tailSize is how much of the file's end Last reads: a line is ~400 bytes.
const tailSize = 4096

// Last is the last complete line of the file, decoded; none when the file
// is missing or empty.
func (l *FileLog) Last() (Checkpoint, bool, error) {
	f, err := os.Open(l.Path)
	if errors.Is(err, os.ErrNotExist) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("trail: checkpoints: %w", err)
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return Checkpoint{}, false, err
	}
	from := max(0, end-tailSize)
	buf := make([]byte, end-from)
	if _, err := f.ReadAt(buf, from); err != nil && !errors.Is(err, io.EOF) {
		return Checkpoint{}, false, fmt.Errorf("trail: checkpoints: %w", err)
	}
	lines := bytes.Split(bytes.TrimRight(buf, "\n"), []byte("\n"))
	var c Checkpoint
	if len(lines) == 0 || json.Unmarshal(lines[len(lines)-1], &c) != nil {
		return Checkpoint{}, false, nil
	}
	return c, true, nil
}

// Line is a line of a checkpoints' file: the checkpoint, or why it could
// not be read.
type Line struct {
	File string
	N    int // from 1
	Checkpoint
	Err error
}

// ReadCheckpoints reads every line of the checkpoints' file at where (a
// path or a file:// URL).
func ReadCheckpoints(where string) ([]Line, error) {
	path, err := logPath(where)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("points de contrôle de la trace : %w", err)
	}
	defer f.Close()
	var out []Line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		l := Line{File: path, N: n}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		l.Err = dec.Decode(&l.Checkpoint)
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("points de contrôle de la trace : %s : %w", path, err)
	}
	return out, nil
}
