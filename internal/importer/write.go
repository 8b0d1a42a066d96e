package importer

import (
	"context"
	"fmt"
	"runtime/debug"

	"recours/internal/figures"
	"recours/internal/store"
)

// write writes the valid rows of rd through the store's history import,
// in one transaction, and returns how many it inserted. A reader goroutine
// validates the next batch, and counts its contributions to the figures,
// while the database writes one. When rows were invalid and are not
// skipped, the transaction is rolled back (errAbort).
func write(ctx context.Context, st *store.Store, rd *reader) (int64, error) {
	var inserted int64
	err := st.ImportHistory(ctx, rd.caf, rd.now, func(h *store.HistoryImport) error {
		batches := make(chan store.HistoryBatch)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer close(batches)
			// A panic here is out of reach of the server's recovery and
			// would stop the process: it fails this import instead.
			defer func() {
				if v := recover(); v != nil {
					rd.err = fmt.Errorf("importer: panic reading the file: %v\n%s", v, debug.Stack())
				}
			}()
			produce(rd, h.BatchSize(), batches, stop)
		}()
		defer func() {
			close(stop)
			<-done
		}()
		for b := range batches {
			n, err := h.Write(b)
			if err != nil {
				return err
			}
			inserted += n
		}
		<-done // the reader is through: its report and error may be read
		if rd.err != nil {
			return rd.err
		}
		if rd.aborting() {
			return errAbort
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// produce reads the file and sends its valid rows in batches of size,
// each with the rows' contributions to the figures, until the end of the
// file or stop. Once aborting it reads on, for the report, but sends
// nothing more.
func produce(rd *reader, size int, batches chan<- store.HistoryBatch, stop <-chan struct{}) {
	fresh := func() store.HistoryBatch {
		return store.HistoryBatch{Rows: make([]store.HistoryRow, 0, size), Figures: figures.Changes{}}
	}
	b := fresh()
	send := func() bool {
		select {
		case batches <- b:
			b = fresh()
			return true
		case <-stop:
			return false
		}
	}
	for {
		row, ok := rd.next()
		if !ok {
			break
		}
		if rd.aborting() {
			b.Rows = b.Rows[:0]
			continue
		}
		b.Rows = append(b.Rows, row)
		b.Figures.Add(row.File(), 1)
		if len(b.Rows) == size && !send() {
			return
		}
	}
	if len(b.Rows) > 0 && !rd.aborting() {
		send()
	}
}
