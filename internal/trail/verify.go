package trail

import (
	"context"
	"fmt"
	"sort"
	"time"

	"recours/internal/store"
)

// What a problem of the trail is.
const (
	Altered        = "altered"         // an entry does not hold in the chain
	Gap            = "gap"             // ids missing in the keyed trail
	Truncated      = "truncated"       // a checkpoint names an entry past the last
	Mismatch       = "mismatch"        // the entry a checkpoint names differs, or is gone
	Recount        = "recount"         // not as many entries up to a checkpoint's as it counted
	BadSignature   = "bad-signature"   // a checkpoint not signed with the key
	OtherKey       = "other-key"       // a checkpoint signed with another key
	UnreadableLine = "unreadable-line" // a line of a checkpoints' file that is not one
)

// Problem is one thing found wrong, said in French for the operator.
type Problem struct {
	Kind    string
	ID      uint64 // the entry it is about, if any
	Message string
}

// Report is what Verify found.
type Report struct {
	Trail store.TrailCheck
	// Checkpoints is how many checkpoints were read; Newest the one naming
	// the highest entry, if any.
	Checkpoints int
	Newest      *Checkpoint
	Problems    []Problem
	// Notes are for the operator but break nothing: holes in the legacy
	// trail, where a failed write left one.
	Notes []string
}

// Verify walks the trail with st's key and checks each checkpoint of
// lines against it: its signature, with key; the entry it names, which
// must be there with its hash and as many entries up to it; and the
// newest, which must not name an entry past the trail's last (its end
// removed).
func Verify(ctx context.Context, st *store.Store, key []byte, lines []Line) (Report, error) {
	var r Report
	keyID := store.TrailKeyID(key)
	var good []Line
	want := map[uint64]bool{}
	for _, l := range lines {
		r.Checkpoints++
		where := fmt.Sprintf("point de contrôle %s ligne %d", l.File, l.N)
		switch {
		case l.Err != nil:
			r.Problems = append(r.Problems, Problem{Kind: UnreadableLine, Message: where + " : illisible"})
		case l.KeyID != keyID:
			r.Problems = append(r.Problems, Problem{Kind: OtherKey,
				Message: fmt.Sprintf("%s : signé par une autre clé (%s, la clé donnée est %s)", where, l.KeyID, keyID)})
		case !l.Valid(key):
			r.Problems = append(r.Problems, Problem{Kind: BadSignature, ID: l.LastID, Message: where + " : signature invalide"})
		default:
			good = append(good, l)
			want[l.LastID] = true
		}
	}
	var err error
	if r.Trail, err = st.CheckAccessTrail(ctx, want); err != nil {
		return r, err
	}
	r.chainProblems()
	sort.SliceStable(good, func(i, j int) bool { return good[i].LastID > good[j].LastID })
	for i, l := range good {
		if i == 0 {
			newest := l.Checkpoint
			r.Newest = &newest
		}
		at := l.At.UTC().Format(time.DateTime) + " UTC"
		p, found := r.Trail.Points[l.LastID]
		switch {
		case l.LastID > r.Trail.Last.ID:
			// Only the newest says where the trail was cut.
			if i > 0 {
				break
			}
			cut := fmt.Sprintf("après l'entrée %d", r.Trail.Last.ID)
			if r.Trail.Last.ID == 0 {
				cut = "jusqu'à être vide"
			}
			r.Problems = append(r.Problems, Problem{Kind: Truncated, ID: r.Trail.Last.ID, Message: fmt.Sprintf(
				"trace tronquée %s : le point de contrôle du %s nomme l'entrée %d", cut, at, l.LastID)})
		case !found:
			r.Problems = append(r.Problems, Problem{Kind: Mismatch, ID: l.LastID, Message: fmt.Sprintf(
				"l'entrée %d, que nomme le point de contrôle du %s, est absente", l.LastID, at)})
		case p.Hash != l.Hash:
			r.Problems = append(r.Problems, Problem{Kind: Mismatch, ID: l.LastID, Message: fmt.Sprintf(
				"l'entrée %d ne correspond pas au point de contrôle du %s", l.LastID, at)})
		case p.Rank != l.Count:
			r.Problems = append(r.Problems, Problem{Kind: Recount, ID: l.LastID, Message: fmt.Sprintf(
				"le point de contrôle du %s comptait %d entrées jusqu'à l'entrée %d, la trace en a %d", at, l.Count, l.LastID, p.Rank)})
		}
	}
	return r, nil
}

// chainProblems says what the walk found.
func (r *Report) chainProblems() {
	c := r.Trail
	for i, b := range c.Breaks {
		msg := fmt.Sprintf("l'entrée %d ne correspond pas à sa chaîne", b.ID)
		switch b.Reason {
		case store.BreakUnkeyed:
			msg = fmt.Sprintf("l'entrée %d est chaînée sans clé après des entrées chaînées avec la clé", b.ID)
		case store.BreakOtherKey:
			msg = fmt.Sprintf("l'entrée %d est chaînée avec une autre clé (%s)", b.ID, b.KeyID)
		case store.BreakNoKey:
			msg = fmt.Sprintf("l'entrée %d est chaînée avec une clé, et aucune n'est donnée", b.ID)
		case store.BreakChain:
			msg = fmt.Sprintf("l'entrée %d est chaînée d'une façon inconnue", b.ID)
		}
		if i == 0 {
			msg += fmt.Sprintf(" (%d entrées intègres avant elle)", c.Intact)
		}
		r.Problems = append(r.Problems, Problem{Kind: Altered, ID: b.ID, Message: msg})
	}
	if more := c.NBreaks - int64(len(c.Breaks)); more > 0 {
		r.Problems = append(r.Problems, Problem{Kind: Altered, Message: fmt.Sprintf("et %d autres entrées qui ne correspondent pas à leur chaîne", more)})
	}
	listed := int64(0)
	for _, g := range c.Gaps {
		ids := fmt.Sprintf("l'entrée %d est absente", g.From)
		if g.To > g.From {
			ids = fmt.Sprintf("les entrées %d à %d sont absentes", g.From, g.To)
		}
		if g.Legacy {
			r.Notes = append(r.Notes, fmt.Sprintf("trou dans la trace ancienne, chaînée sans clé : %s (une écriture échouée en laissait un)", ids))
			continue
		}
		r.Problems = append(r.Problems, Problem{Kind: Gap, ID: g.From, Message: "trou : " + ids})
		listed++
	}
	if more := c.NGaps - c.NLegacyGaps - listed; more > 0 {
		r.Problems = append(r.Problems, Problem{Kind: Gap, Message: fmt.Sprintf("et %d autres trous", more)})
	}
}
