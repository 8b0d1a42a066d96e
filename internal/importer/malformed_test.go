package importer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/importer"
	"recours/internal/store"
)

// row is a valid row of Caf 071 under the reference ref.
func row(ref string) string {
	return ref + ",complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n"
}

// TestImport_MalformedRowIsReportedByItsLine: a row the CSV reader cannot
// read (a quote out of place in its first field made the reader panic) or
// whose fields are not text of the expected size is reported by its line,
// with the other rows, and nothing is imported.
func TestImport_MalformedRowIsReportedByItsLine(t *testing.T) {
	for _, tc := range []struct {
		name, rows string
		line       int
		reason     string
	}{
		{"a bare quote in the first field", `Jean "Le" Dupont,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n",
			3, "guillemet mal placé dans un champ non entre guillemets"},
		{"a bare quote in a later field", "M-3,complaint,071,phone,rsa,doc\"uments,,2025-01-06,2025-01-08,,,\n",
			3, "guillemet mal placé dans un champ non entre guillemets"},
		{"a quote opened and never closed", `"M-3,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n",
			3, "guillemet ouvert ligne 3 et mal refermé : le champ entre guillemets court jusqu'à la ligne 4"},
		{"a quote closed in the middle of a field", `"M-3"x,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n",
			3, "guillemets mal fermés"},
		{"a quoted field running over lines", "\"M-3\nM-4\"x,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n",
			3, "guillemet ouvert ligne 3 et mal refermé : le champ entre guillemets court jusqu'à la ligne 4"},
		{"too few fields", "M-3,complaint,071\n", 3, "12 colonnes attendues, 3 trouvées"},
		{"too many fields", strings.TrimSuffix(row("M-3"), "\n") + ",x,y\n", 3, "12 colonnes attendues, 14 trouvées"},
		{"a field not in UTF-8", "M-3,complaint,071,phone,rsa,docu\xe9ments,,2025-01-06,2025-01-08,,,\n",
			3, "reason : texte UTF-8 attendu"},
		{"a huge field", "M-3,complaint,071,phone,rsa," + strings.Repeat("x", 5000) + ",,2025-01-06,2025-01-08,,,\n",
			3, "reason : trop long (1024 octets au plus)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := header + row("M-1") + tc.rows + row("M-2")
			each(t, func(t *testing.T, st *store.Store) {
				rep, err := importer.Import(context.Background(), st, "071", strings.NewReader(file), opts(false))
				require.ErrorIs(t, err, importer.ErrInvalidRows)
				require.Len(t, rep.Errors, 1, "%v", rep.Errors)
				assert.Equal(t, tc.line, rep.Errors[0].Line)
				assert.Contains(t, rep.Errors[0].Reason, tc.reason)
				assert.Less(t, len(rep.Errors[0].Reason), 600, "a value is not echoed whole")
				assert.EqualValues(t, 0, count(t, st), "nothing imported")

				rep, err = importer.Import(context.Background(), st, "071", strings.NewReader(file), opts(true))
				require.NoError(t, err)
				assert.Equal(t, 1, rep.Skipped)
				assert.GreaterOrEqual(t, rep.Imported, 1, "the good rows, under skip_invalid")
			})
		})
	}
}

// TestImport_OverlongRecordStopsTheImport: a record larger than a row can
// be (a quote never closed swallows the rest of the file into one field)
// is refused by its first line before it is held in memory, and nothing
// is imported, even under skip_invalid: where it ends is not known.
func TestImport_OverlongRecordStopsTheImport(t *testing.T) {
	huge := strings.Repeat("x", importer.MaxRecord+1)
	for name, file := range map[string]string{
		"one long line":       header + row("L-1") + "\n\n" + huge + "\n" + row("L-2"),
		"an unclosed quote":   header + row("L-1") + "\"L-2" + strings.Repeat(","+row("L-3"), importer.MaxRecord/40),
		"a long header (1)":   huge + "\n" + row("L-1"),
		"a long header (bom)": "\ufeff" + strings.TrimSuffix(header, "\n") + huge + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			each(t, func(t *testing.T, st *store.Store) {
				_, err := importer.Import(context.Background(), st, "071", strings.NewReader(file), opts(true))
				var de *domain.Error
				require.ErrorAs(t, err, &de)
				assert.Equal(t, domain.EINVALID, de.Code)
				require.Len(t, de.Fields, 1)
				want := "ligne 5"
				if strings.HasPrefix(name, "an unclosed") {
					want = "ligne 3"
				} else if strings.HasPrefix(name, "a long header") {
					want = "ligne 1"
				}
				assert.Equal(t, want, de.Fields[0].Field)
				assert.Contains(t, de.Fields[0].Message, "plus de 64 Kio")
				assert.EqualValues(t, 0, count(t, st), "nothing imported")
			})
		})
	}
}
