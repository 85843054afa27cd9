// Merged by Evidence into its SvelteKit config (its template's loadUserConfiguration).
//
// The drill-down pages (/games/[game_id], /jurisdictions/[jurisdiction], /segments/[segment],
// /blackjack/[table_id]) are prerendered from the links of their list pages. With no rows to link
// (a fresh warehouse under `npm start`; a brand's deployed build whose data has none yet; a
// warehouse without live blackjack), SvelteKit 2.8 fails the whole build on a prerenderable route
// it never reached (it has no `handleUnseenRoutes` yet). One placeholder entry per template keeps
// the build whole: /games/-, /jurisdictions/-, /segments/-, /blackjack/- render with no data
// (reached by URL only; no list links to them). '*' keeps every other page.
export default {
  kit: {
    prerender: {
      entries: ['*', '/games/-', '/jurisdictions/-', '/segments/-', '/blackjack/-'],
    },
  },
};
