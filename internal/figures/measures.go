package figures

// Measure names what a contribution counts. The names are stored (the
// store's rollup keeps them as they are): never rename one.
type Measure string

// The measures of a complaint (réclamation). A complaint counts on the day
// it was received, on the day it was answered, on the day its silence
// became an implicit rejection, and in the flows of the files open and
// overdue.
const (
	// Received: a complaint received that day. The report's volume of
	// complaints and its change from the previous period (DOMAIN.md, "What
	// a year looks like": 8,106 complaints handled, 9.2 % fewer than in
	// 2020).
	Received Measure = "received"
	// ByChannel: a complaint received that day, by its channel (phone,
	// email, desk, online account, letter, appointment: DOMAIN.md, "The
	// kinds of file", 1; the report's "71,65 % des informations entrantes
	// l'ont été par voie dématérialisée").
	ByChannel Measure = "channel"
	// ByBenefit: a complaint received that day, by the benefit it is
	// about.
	ByBenefit Measure = "benefit"
	// ByReason: a complaint received that day, by its reason.
	ByReason Measure = "reason"
	// Acknowledgment: a written complaint received that day (online,
	// email, letter: one made by phone, at the desk or at an appointment
	// owes no acknowledgment), by the status of its acknowledgment
	// deadline (met, missed; on_time while pending; none for imported
	// history, which the previous system did not record).
	// The national commitment of an acknowledgment within 5 days
	// (DOMAIN.md, "Deadlines and figures": "an acknowledgment of a request
	// sent online within 5 days"; socle national, "un accusé de traitement
	// dans un délai ≤ 5 j").
	Acknowledgment Measure = "ack"
	// Handled: a complaint answered that day: the report's "réclamations
	// traitées" (DOMAIN.md, "What a year looks like").
	Handled Measure = "handled"
	// Elapsed: a complaint answered that day, by its elapsed days with its
	// paused days removed (DOMAIN.md, "Counting days": a pause shifts a
	// deadline by the whole days it lasted). The share answered within 10
	// days (the report's 90.5 %, the local target) and within 15 (the
	// national commitment, DOMAIN.md, "Deadlines and figures"; socle
	// national, "dans un délai maximum de 15 jours"), the median and the
	// 90th percentile.
	Elapsed Measure = "elapsed"
	// ElapsedRaw: a complaint answered that day, by its calendar days from
	// receipt to answer, pauses included: the same shares, raw.
	ElapsedRaw Measure = "elapsed_raw"
	// ImplicitRejection: a complaint whose two months of silence became
	// an implicit rejection that day (DOMAIN.md, "The law behind the
	// deadlines": CRPA L231-4 2°; Recours counts the complaints that
	// reached it).
	ImplicitRejection Measure = "implicit_rejection"
	// Reopened: a complaint reopened for the first time that day, once
	// answered (its first answer stays counted in Handled and Elapsed).
	Reopened Measure = "reopened"
	// Open is a flow: +1 on the day a complaint was received, −1 on the
	// day it was answered or closed (withdrawn, escalated), whichever came
	// first (a complaint that stopped on the day it was received is never
	// open). Its sum over every day before E is the number of complaints
	// open when E begins: at the end of a period, those it leaves to the
	// next.
	Open Measure = "open"
	// Overdue is a flow: +1 on the day of a complaint's legal date (its
	// receipt, if later), −1 on the day it stops being open (that day, if
	// earlier). Its sum over every day before E is the number of
	// complaints open when E begins whose legal date is before E.
	Overdue Measure = "overdue"
)

// The measures of a mediation file (médiation) and of a Défenseur des
// droits referral (saisine, a mediation file of origin DDD): all count on
// the day the file was received (DOMAIN.md, "What a year looks like": 86
// mediation files, +16.21 %; decisions maintained 51.3 %; reasons:
// overpayment not understood 33.8 %, Caf decision not understood 28.8 %;
// origin: Défenseur des droits 21.3 %, claimants 6.3 %; benefit: housing
// aid 52.6 %, RSA 17.5 %).
const (
	// Mediation: a mediation file received that day.
	Mediation Measure = "mediation"
	// MediationOrigin: a mediation file received that day, by its origin
	// (the claimant, the DDD, an elected official, a social worker, an
	// association: DOMAIN.md, "The kinds of file", 2).
	MediationOrigin Measure = "origin"
	// MediationReason: a mediation file received that day, by its reason.
	MediationReason Measure = "med_reason"
	// MediationBenefit: a mediation file received that day, by benefit.
	MediationBenefit Measure = "med_benefit"
	// MediationOutcome: a mediation file received that day and decided,
	// by its outcome (maintained, revised, partly revised: DOMAIN.md, "The
	// kinds of file", 2). Its total is the number of files decided.
	MediationOutcome Measure = "outcome"
	// Referral: a referral of the Défenseur des droits received that day
	// (DOMAIN.md, "The kinds of file", 3).
	Referral Measure = "referral"
	// ReferralDecided: such a referral, decided.
	ReferralDecided Measure = "referral_decided"
	// ReferralInTime: such a referral, decided by the date the Défenseur
	// expected (its legal date: each DDD deadline comes with the request
	// and is stored on the file, DOMAIN.md, "The law behind the
	// deadlines", loi organique 2011-333 art. 18, 21, 25).
	ReferralInTime Measure = "referral_in_time"
)

// The measures of an overpayment notice (trop-perçu), all on the day it
// was notified: the report's "Zoom: la prévention des indus" (a notice of
// 1,500 € or more gets an enriched explanation and a phone call) and
// DOMAIN.md, "Deadlines and figures" (the right to error, loi ESSOC of 10
// August 2018). The store does not keep them in its rollup: it sums them
// from the notices when they are read (they are few).
const (
	// Notices: a notice notified that day.
	Notices Measure = "notices"
	// LargeNotices: a notice at or above the Caf's threshold.
	LargeNotices Measure = "notices_large"
	// NoticesExplained: a large notice with its enriched explanation.
	NoticesExplained Measure = "notices_explained"
	// NoticesCallAttempted: a large notice whose claimant was phoned
	// (reached or not; "no number" is no attempt).
	NoticesCallAttempted Measure = "notices_call_attempted"
	// NoticesCallReached: a large notice whose claimant was reached.
	NoticesCallReached Measure = "notices_call_reached"
	// NoticesDisputed: a large notice followed by a complaint or a
	// mediation about it within DisputeWindowDays.
	NoticesDisputed Measure = "notices_disputed"
	// NoticesDisputedReached: a large notice disputed so, its claimant
	// reached.
	NoticesDisputedReached Measure = "notices_disputed_reached"
)

// FileMeasures are the measures of files, which the store's rollup keeps.
var FileMeasures = []Measure{Received, ByChannel, ByBenefit, ByReason, Acknowledgment, Handled,
	Elapsed, ElapsedRaw, ImplicitRejection, Open, Overdue, Mediation, MediationOrigin, MediationReason,
	MediationBenefit, MediationOutcome, Referral, ReferralDecided, ReferralInTime}

// NoticeMeasures are the measures of overpayment notices.
var NoticeMeasures = []Measure{Notices, LargeNotices, NoticesExplained, NoticesCallAttempted,
	NoticesCallReached, NoticesDisputed, NoticesDisputedReached}

// Flows are the measures counted +1 when a state begins and −1 when it
// ends: they are read cumulated (Query.Cumulative), not over a period.
var Flows = []Measure{Open, Overdue}

// DisputeWindowDays is how long after a notice reached the claimant (its
// sending; its notification while unsent) a complaint or mediation about
// it counts as its dispute, in Paris calendar days.
const DisputeWindowDays = 60
