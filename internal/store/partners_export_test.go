package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
)

// MigrateBefore migrates s with every migration before the one named id:
// a database as released before it, whatever migrations came after.
func MigrateBefore(s *Store, id string) error {
	for i, m := range migrations {
		if m.ID == id {
			return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:i]).Migrate()
		}
	}
	return fmt.Errorf("no migration %s", id)
}
