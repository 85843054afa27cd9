-- When the snapshot the pages show was taken, and how many rows each mart had.
select taken_at, relation, row_count from snapshot.info
