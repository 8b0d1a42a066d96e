package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"recours/internal/domain"
	"recours/internal/store"
	"recours/internal/testutil"
)

var (
	benchFirstNames = []string{"Lucie", "Hélène", "Jeanne", "Paul", "Marc", "Sophie", "Noé", "Chloé", "Léa", "Hugo",
		"Gaëlle", "Aurélien", "Camille", "Inès", "Théo", "Zoé", "Maël", "Anaïs", "Jérôme", "Agnès"}
	benchLastNames = func() []string {
		stems := []string{"Garnier", "Lefèvre", "Martin", "Durand", "Caron", "Andrieu", "Dupuis", "Sauvage", "Roux", "Fournier",
			"Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure"}
		var out []string
		for _, s := range stems {
			for _, suffix := range []string{"", "-Brun", "-Morel", "-Blanc", "-Guérin", "-Boyer", "-Chevalier", "-Robin", "-Mercier", "-Roche"} {
				for i := range 25 {
					out = append(out, fmt.Sprintf("%s%s%s", s, suffix, strings.Repeat("e", i%3)+[]string{"", "t", "s", "x", "z"}[i/5]))
				}
			}
		}
		return out
	}()
)

// searchFile is one live file of Caf 071 for the search benchmark: a
// claimant of 5,000 last names and 20 first names, their contact, the
// reference of its series.
func searchFile(r *rand.Rand, i int, start time.Time) []any {
	name := benchFirstNames[r.IntN(len(benchFirstNames))] + " " + benchLastNames[r.IntN(len(benchLastNames))]
	number := fmt.Sprintf("%07d", r.IntN(10_000_000))
	email := fmt.Sprintf("allocataire%d@example.fr", i)
	phone := fmt.Sprintf("06%08d", i)
	year := 2024 + i%3
	ref := domain.ReferenceSeries{Caf: "071", Letter: "R", Year: year}.Reference(int64(i/3 + 1))
	received := start.Add(time.Duration(i) * time.Minute)
	id := uuid.Must(uuid.NewV7()).String()
	data, _ := json.Marshal(domain.Case{ID: id, Reference: ref, Kind: domain.KindComplaint, Caf: "071", Status: domain.StatusAnswered,
		Claimant: domain.Claimant{Number: number, Name: name, Email: email, Phone: phone}, Benefit: "rsa", Reason: "other",
		Subject: "Réclamation", ReceivedAt: received, SLAStatus: domain.SLAMet, Deadlines: []domain.Deadline{}})
	return []any{id, "complaint", "071", "answered", "met", number, "rsa", "other", received, false,
		ref, domain.ReferenceNumber(ref), domain.NameKey(name), domain.EmailKey(email), domain.PhoneKey(phone),
		int64(1), string(data), received, received}
}

var searchColumns = []string{"id", "kind", "caf", "status", "sla_status", "claimant_number", "benefit", "reason", "received_at",
	"imported", "reference", "ref_number", "name_key", "email_key", "phone_key", "version", "data", "created_at", "updated_at"}

// BenchmarkSearch measures the search of GET /api/v1/cases?q= (the store's
// SearchCases, ranked, first page of 50) over RECOURS_BENCH_FILES (default
// 1,000,000) live files in PostgreSQL, by each key an agent types, against
// a plain index lookup of the same rows (a claimant number's files by its
// index).
func BenchmarkSearch(b *testing.B) {
	n := envInt("RECOURS_BENCH_FILES", 1_000_000)
	ctx := context.Background()
	url := testutil.PostgresURL(b)
	st := migratedStore(ctx, b, url)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	r := rand.New(rand.NewPCG(2026, 71))
	start := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	t0 := time.Now()
	var rows [][]any
	i := 0
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"cases"}, searchColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		row := searchFile(r, i, start)
		if i%(n/200+1) == 0 {
			rows = append(rows, row)
		}
		i++
		return row, nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE cases"); err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(t0)

	// The queries, from files known to be there.
	kinds := []string{"reference", "last digits", "claimant number", "name", "name reversed, no accents", "last name part", "email", "phone"}
	queries := map[string][]string{}
	for _, row := range rows {
		ref, number, name := row[10].(string), row[5].(string), row[12].(string)
		var c domain.Case
		_ = json.Unmarshal([]byte(row[16].(string)), &c)
		words := strings.Fields(c.Claimant.Name)
		queries["reference"] = append(queries["reference"], ref)
		queries["last digits"] = append(queries["last digits"], ref[len(ref)-6:])
		queries["claimant number"] = append(queries["claimant number"], number[:3]+" "+number[3:])
		queries["name"] = append(queries["name"], c.Claimant.Name)
		queries["name reversed, no accents"] = append(queries["name reversed, no accents"], strings.ToUpper(name))
		queries["last name part"] = append(queries["last name part"], words[0]+" "+string([]rune(strings.Split(words[1], "-")[0])[:4]))
		queries["email"] = append(queries["email"], c.Claimant.Email)
		queries["phone"] = append(queries["phone"], "+33 "+c.Claimant.Phone[1:])
	}
	f := store.CaseFilter{Cafs: []string{"071"}, Limit: 50}
	times := map[string][]time.Duration{}
	var plain []time.Duration
	found := map[string]int{}
	b.ResetTimer()
	for range b.N {
		for _, kind := range kinds {
			for _, q := range queries[kind] {
				f.Query = q
				t := time.Now()
				files, _, err := st.SearchCases(ctx, f, 0)
				if err != nil {
					b.Fatal(err)
				}
				times[kind] = append(times[kind], time.Since(t))
				found[kind] += len(files)
			}
		}
		for _, row := range rows {
			t := time.Now()
			rs, err := conn.Query(ctx, "SELECT * FROM cases WHERE caf = '071' AND claimant_number <> '' AND claimant_number = $1 ORDER BY id DESC LIMIT 51", row[5])
			if err != nil {
				b.Fatal(err)
			}
			for rs.Next() {
			}
			rs.Close()
			plain = append(plain, time.Since(t))
		}
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return ms(s[int(float64(len(s)-1)*p)])
	}
	plainP50, plainP99 := pct(plain, .5), pct(plain, .99)
	fmt.Printf("\nSearch over %d live files of one Caf in PostgreSQL (loaded with COPY in %.1f s), first page of 50, %d queries of each kind\n",
		n, loaded.Seconds(), len(rows))
	var all []time.Duration
	for _, kind := range kinds {
		all = append(all, times[kind]...)
		fmt.Printf("  %-26s p50 %6.2f ms   p99 %6.2f ms   (%.1f files found on average)\n", kind, pct(times[kind], .5), pct(times[kind], .99),
			float64(found[kind])/float64(len(times[kind])))
		if found[kind] == 0 {
			b.Fatalf("no file found by %s", kind)
		}
	}
	fmt.Printf("  %-26s p50 %6.2f ms   p99 %6.2f ms   (target < 100 ms)\n", "every search", pct(all, .5), pct(all, .99))
	fmt.Printf("  %-26s p50 %6.2f ms   p99 %6.2f ms\n  ratio search / lookup:     p50 %6.2f      p99 %6.2f\n  load average of the machine (/proc/loadavg): %s\n",
		"plain index lookup", plainP50, plainP99, pct(all, .5)/plainP50, pct(all, .99)/plainP99, loadAverage())
	b.ReportMetric(pct(all, .5), "search_p50_ms")
	b.ReportMetric(pct(all, .99), "search_p99_ms")
	b.ReportMetric(pct(all, .5)/plainP50, "search_p50_ratio")
}
