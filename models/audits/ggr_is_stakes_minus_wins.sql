-- GGR is stakes minus wins on every row (a mart's GGR column must never drift from its parts).
-- Returns the rows where it is not, with the difference. NULL parts count as 0, as a day without
-- wins has GGR = stakes. Usage: audits (ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor))
AUDIT (name ggr_is_stakes_minus_wins);
SELECT *, coalesce(@stakes, 0) - coalesce(@wins, 0) - coalesce(@ggr, 0) AS ggr_delta_minor
FROM @this_model
WHERE coalesce(@ggr, 0) <> coalesce(@stakes, 0) - coalesce(@wins, 0)
