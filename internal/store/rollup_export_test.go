package store

import "github.com/go-gormigrate/gormigrate/v2"

// MigrateInitial runs the first migration only: the schema as released
// before the figures' rollup.
func MigrateInitial(s *Store) error {
	return gormigrate.New(s.db, gormigrate.DefaultOptions, migrations[:1]).Migrate()
}
