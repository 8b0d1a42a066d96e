package store

import (
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
)

// MigrateInitial runs the first migration only: the schema as released
// before the figures' rollup.
func MigrateInitial(s *Store) error {
	return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:1]).Migrate()
}

// MigrateBefore migrates s with every migration before the one whose ID
// is id: the schema as it was before that change, whatever came after.
func MigrateBefore(s *Store, id string) error {
	for i, m := range migrations {
		if m.ID == id {
			return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:i]).Migrate()
		}
	}
	return fmt.Errorf("no migration %s", id)
}
