-- A station lists its printers by id, with no foreign key, and deleting a printer left its id in
-- every station's list (jobs sent to the station then tried a printer that no longer exists). The
-- gateway now takes a deleted printer out of the lists; this takes out the ids of printers deleted
-- before, keeping the order of the others.
UPDATE stations AS s
   SET printer_ids = coalesce((
         SELECT jsonb_agg(e.id ORDER BY e.n)
           FROM jsonb_array_elements_text(s.printer_ids) WITH ORDINALITY AS e (id, n)
          WHERE EXISTS (SELECT 1 FROM printers p WHERE p.id = e.id)
       ), '[]'::jsonb),
       updated_at = now()
 WHERE EXISTS (
         SELECT 1 FROM jsonb_array_elements_text(s.printer_ids) AS e (id)
          WHERE NOT EXISTS (SELECT 1 FROM printers p WHERE p.id = e.id)
       );
