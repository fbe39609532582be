-- Loads a session built by make-session.lua in real time (Dummy backend, transport rolling) and prints one of
-- the plugin's output parameters whenever it changes, as "output <name> <value> <seconds since start>", until
-- a stop file appears or the time limit passes. A test reads these lines to follow the plugin's state while it
-- changes the world around the host (kills and restarts the daemon).
-- Environment: SEGUE_SESSION_DIR, SEGUE_SESSION_NAME, SEGUE_TRACK, SEGUE_OUTPUT (the parameter's name, matched
-- like make-session.lua's parameters), SEGUE_STOP_FILE, SEGUE_WATCH_SECONDS (at most 600), and optionally
-- SEGUE_SAVE_WHEN: when the output reaches this value the session is saved (with the plugin's state, e.g. its
-- finished job) and the watch ends ("watch: saved").

local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then error("watch-output.lua: " .. name .. " is not set") end
  return v
end
local dir, name, track_name = need("SEGUE_SESSION_DIR"), need("SEGUE_SESSION_NAME"), need("SEGUE_TRACK")
local output, stop_file = need("SEGUE_OUTPUT"), need("SEGUE_STOP_FILE")
local limit = tonumber(need("SEGUE_WATCH_SECONDS"))
local save_when = tonumber(os.getenv("SEGUE_SAVE_WHEN") or "")
assert(limit and limit > 0 and limit <= 600, "SEGUE_WATCH_SECONDS: 1..600")

AudioEngine:set_backend("None (Dummy)", "", "")
local s = load_session(dir, name)
assert(s, "could not load " .. dir)
local track = s:route_by_name(track_name)
assert(not track:isnil(), "no track " .. track_name)
local proc = track:nth_plugin(0)
assert(not proc:isnil(), "no plugin on " .. track_name)

local function key(label) return (label:lower():gsub("[^%w]", "")) end
local plug = proc:to_insert():plugin(0)
local index
for i = 0, plug:parameter_count() - 1 do
  local pid = plug:nth_parameter(i, true)
  if plug:parameter_is_control(pid) and not plug:parameter_is_input(pid) and key(plug:parameter_label(pid)) == key(output) then
    index = i
  end
end
assert(index, "the plugin has no output parameter " .. output)

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

s:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
local started, last = os.time(), nil
local ticks = 0
while os.time() - started < limit and not exists(stop_file) do
  local value = ARDOUR.LuaAPI.get_processor_param(proc, index, true)
  if value ~= last then
    print(string.format("output %s %s %d", output, value, ticks * 50))
    io.stdout:flush()
    last = value
    if save_when and math.abs(value - save_when) < 1e-6 then
      s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
      ARDOUR.LuaAPI.usleep(200000)
      assert(s:save_state("", false, false, false, false, false) == 0, "could not save the session")
      print("watch: saved")
      break
    end
  end
  ARDOUR.LuaAPI.usleep(50000)
  ticks = ticks + 1
end
s:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
print("watch: end")
