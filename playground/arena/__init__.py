"""The Arena: blind rounds between two contenders on the visitor's own prompt, votes, a leaderboard.

Plain Python, like the rest of the core: the Arena tab (components/arena_panel.py) only renders
what these modules decide. A round is two Compare-style runs (`playground.runs.compare_jobs`
through the scheduler); nothing here talks HTTP.

Modules:
    pairs     the "Contenders" rows checked, a pair drawn uniformly at random, names kept out of
              what the page shows before the vote (`redact`)
    votes     one vote as a record (FastChat's winner words), kept in the browser bounded, JSONL
              export and import with line numbers for refused lines
    ranking   Bradley-Terry scores scaled like Elo, seeded bootstrap intervals, wins, the
              pairwise win-rate matrix, "provisional" under 5 votes
    code      the arena's "View code" (a short InferenceClient loop) and its share link
"""
