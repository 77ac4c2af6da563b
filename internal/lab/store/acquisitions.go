package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Origin says how an acquisition reached the lab.
type Origin string

// Origins.
const (
	Uploaded   Origin = "upload" // received through the interface, stored in the data folder
	ServerPath Origin = "path"   // a path on the server, inside a configured root
)

// Acquisition is one input of a case: an iOS backup, a bugreport, a pcap...
type Acquisition struct {
	ID      int64
	CaseID  int64
	Name    string // what the user called it (the uploaded file name, or the path's base name)
	Origin  Origin
	Path    string // where it is on the server
	Kind    string // acquisition.Kind as detected when added
	Size    int64  // bytes (the whole tree for a folder)
	SHA256  string // of the file as received; "" for a folder
	AddedBy int64
	AddedAt time.Time
}

const acqCols = `id, case_id, name, origin, path, kind, size, sha256, added_by, added_at`

func scanAcq(row interface{ Scan(...any) error }) (*Acquisition, error) {
	var a Acquisition
	var origin string
	var by sql.NullInt64
	var at int64
	if err := row.Scan(&a.ID, &a.CaseID, &a.Name, &origin, &a.Path, &a.Kind, &a.Size, &a.SHA256, &by, &at); err != nil {
		return nil, err
	}
	a.Origin, a.AddedBy, a.AddedAt = Origin(origin), by.Int64, fromMS(at)
	return &a, nil
}

// AddAcquisition records an acquisition of a case.
func (s *Store) AddAcquisition(ctx context.Context, a Acquisition) (*Acquisition, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO acquisitions (case_id, name, origin, path, kind, size, sha256, added_by, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.CaseID, a.Name, string(a.Origin), a.Path, a.Kind, a.Size, a.SHA256, nullID(a.AddedBy), ms(s.now())).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("acquisition %q: %w", a.Name, err)
	}
	return s.Acquisition(ctx, id)
}

// Acquisition returns one acquisition.
func (s *Store) Acquisition(ctx context.Context, id int64) (*Acquisition, error) {
	a, err := scanAcq(s.db.QueryRowContext(ctx, `SELECT `+acqCols+` FROM acquisitions WHERE id = $1`, id))
	return a, notFound(err, "acquisition", id)
}

// Acquisitions lists a case's acquisitions in the order they were added.
func (s *Store) Acquisitions(ctx context.Context, caseID int64) ([]*Acquisition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+acqCols+` FROM acquisitions WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Acquisition
	for rows.Next() {
		a, err := scanAcq(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
