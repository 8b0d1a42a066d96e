package figures

import (
	"cmp"
	"slices"
)

// Query asks for sums of contributions: those of the measures on the days
// [From, To), or on every day before To when Cumulative (how a flow is
// read: its sum is the state when day To begins), summed by Caf and
// measure, and by value too when ByValue.
type Query struct {
	Measures   []Measure
	From, To   int32
	Cumulative bool
	ByValue    bool
}

// Sum is one sum a query asked for: of the query numbered Query (its
// index in the queries asked), for a Caf and a measure, and a value when
// the query is by value ("" otherwise). A sum may be zero.
type Sum struct {
	Query   int
	Caf     string
	Measure Measure
	Value   string
	N       int64
}

// Holds reports whether k is counted by q.
func (q Query) Holds(k Key) bool {
	return (q.Cumulative || k.Day >= q.From) && k.Day < q.To && slices.Contains(q.Measures, k.Measure)
}

// Sums answers queries from c for the Cafs cafs, as the store answers them
// from its rollup: one Sum for each query, Caf, measure (and value) that
// some contribution holds, in that order.
func Sums(c Changes, cafs []string, queries []Query) []Sum {
	type group struct {
		query   int
		caf     string
		measure Measure
		value   string
	}
	sums := map[group]int64{}
	for k, n := range c {
		if !slices.Contains(cafs, k.Caf) {
			continue
		}
		for i, q := range queries {
			if !q.Holds(k) {
				continue
			}
			g := group{i, k.Caf, k.Measure, ""}
			if q.ByValue {
				g.value = k.Value
			}
			sums[g] += n
		}
	}
	out := make([]Sum, 0, len(sums))
	for g, n := range sums {
		out = append(out, Sum{Query: g.query, Caf: g.caf, Measure: g.measure, Value: g.value, N: n})
	}
	slices.SortFunc(out, func(a, b Sum) int {
		return cmp.Or(cmp.Compare(a.Query, b.Query), cmp.Compare(a.Caf, b.Caf),
			cmp.Compare(a.Measure, b.Measure), cmp.Compare(a.Value, b.Value))
	})
	return out
}
