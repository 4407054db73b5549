-- For bench/http.mjs: when wrk is done, one line "WRKJSON {...}" with what the tables need.
-- wrk gives latencies in microseconds and the duration in microseconds.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local errors = summary.errors
  print(string.format(
    'WRKJSON {"requests":%d,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
