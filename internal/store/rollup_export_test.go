package store

import "github.com/go-gormigrate/gormigrate/v2"

// MigrateInitial runs the first migration only: the schema as released
// before the figures' rollup.
func MigrateInitial(s *Store) error {
	return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:1]).Migrate()
}

// MigrateAllBut migrates s with every migration but the last n.
func MigrateAllBut(s *Store, n int) error {
	return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:len(migrations)-n]).Migrate()
}

// MigrateBefore migrates s with every migration before the one of id (all
// of them when none has it), whatever was added after it since.
func MigrateBefore(s *Store, id string) error {
	n := len(migrations)
	for i, m := range migrations {
		if m.ID == id {
			n = i
			break
		}
	}
	return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:n]).Migrate()
}
