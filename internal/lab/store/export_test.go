package store

import "context"

// Migrations exposes the migration list to the tests.
func Migrations() []migration { return migrations }

// Columns lists every table's columns in order, read from the engine's
// own catalog.
func Columns(ctx context.Context, s *Store) (map[string][]string, error) {
	out := map[string][]string{}
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`
	if s.engine == SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}
