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
