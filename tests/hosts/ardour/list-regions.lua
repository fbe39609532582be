-- Loads a session and prints every region on every track's playlist as Ardour reads it:
-- "region <track> <position in samples> <length in samples> <source file>", then "regions: end".
-- Environment: SEGUE_SESSION_DIR, SEGUE_SESSION_NAME.
local dir, name = os.getenv("SEGUE_SESSION_DIR"), os.getenv("SEGUE_SESSION_NAME")
assert(dir and name, "SEGUE_SESSION_DIR and SEGUE_SESSION_NAME")
AudioEngine:set_backend("None (Dummy)", "", "")
local s = load_session(dir, name)
assert(s, "could not load " .. dir)
for route in s:get_tracks():iter() do
  local track = route:to_track()
  for region in track:playlist():region_list():iter() do
    print(string.format("region %s %d %d %s", route:name(), region:position():samples(), region:length():samples(),
      region:source(0):name()))
  end
end
print("regions: end")
