-- Creates an empty headless Ardour 7 session at a rate, tempo and meter (for tests that add to a session).
-- Environment: SEGUE_SESSION_DIR (must not exist), SEGUE_SESSION_NAME, SEGUE_RATE, SEGUE_BPM, SEGUE_METER ("3/4").
local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error("new-session.lua: " .. name .. " is not set") end
  return v
end
local dir, name = need("SEGUE_SESSION_DIR"), need("SEGUE_SESSION_NAME")
local rate, bpm = tonumber(need("SEGUE_RATE")), tonumber(need("SEGUE_BPM"))
local num, den = need("SEGUE_METER"):match("^(%d+)/(%d+)$")
assert(rate and bpm and num, "SEGUE_RATE, SEGUE_BPM, SEGUE_METER")
AudioEngine:set_backend("None (Dummy)", "", "")
local s = create_session(dir, name, rate)
assert(s, "could not create the session at " .. dir)
local tm = Temporal.TempoMap.fetch_writable()
tm:set_tempo(Temporal.Tempo(bpm, bpm, 4), Temporal.timepos_t(0))
tm:set_meter(Temporal.Meter(tonumber(num), tonumber(den)), Temporal.timepos_t(0))
Temporal.TempoMap.update(tm)
tm = nil
assert(s:save_state("", false, false, false, false, false) == 0, "could not save the session")
print(string.format("session %s: %d Hz, %s bpm, %s/%s", dir, rate, bpm, num, den))
