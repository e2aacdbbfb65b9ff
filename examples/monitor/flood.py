"""Opens a file a rule watches as fast as it can: 200,000 records for the sensor."""
import os

for _ in range(200_000):
    os.close(os.open("/proc/self/status", os.O_RDONLY))
print("flood done")
