package store

// WriteLock takes the store's write lock (SQLite takes one writer at a
// time) and returns its release; a no-op on PostgreSQL. For a writer
// outside this package that holds one long transaction, such as the
// history import.
func (s *Store) WriteLock() func() { return s.writeLock() }

// SQLite reports whether the store is the embedded SQLite file.
func (s *Store) SQLite() bool { return s.sqlite }
