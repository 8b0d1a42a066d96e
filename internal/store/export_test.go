package store

import "gorm.io/gorm"

// DB is the store's GORM handle, for the package's own tests that read or
// alter tables directly.
func DB(s *Store) *gorm.DB { return s.db }
