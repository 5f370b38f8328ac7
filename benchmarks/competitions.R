# R's forecast package on one long CSV of series, for benchmarks/competitions.py.
# Usage: Rscript competitions.R MODEL TRAIN.csv H M OUT.csv CORES
#   MODEL: ets | thetaf | auto.arima (forecast::ets, forecast::thetaf, forecast::auto.arima,
#   all at their defaults); TRAIN.csv has columns unique_id, ds, y sorted by ds within
#   each series; OUT.csv gets unique_id, step, yhat, lo, hi (95%), error.
args <- commandArgs(trailingOnly = TRUE)
model <- args[1]
h <- as.integer(args[3])
m <- as.integer(args[4])
cores <- as.integer(args[6])
suppressMessages(library(forecast))
d <- read.csv(args[2], colClasses = c("character", "integer", "numeric"))
series <- split(d$y, factor(d$unique_id, levels = unique(d$unique_id)))

one <- function(id) {
  y <- ts(series[[id]], frequency = m)
  tryCatch({
    fc <- switch(model,
      ets = forecast(ets(y), h = h, level = 95),
      thetaf = thetaf(y, h = h, level = 95),
      auto.arima = forecast(auto.arima(y), h = h, level = 95),
      stop("unknown model ", model))
    data.frame(unique_id = id, step = seq_len(h), yhat = as.numeric(fc$mean),
               lo = as.numeric(fc$lower), hi = as.numeric(fc$upper), error = NA)
  }, error = function(e) {
    data.frame(unique_id = id, step = seq_len(h), yhat = NA, lo = NA, hi = NA,
               error = conditionMessage(e))
  })
}

out <- do.call(rbind, parallel::mclapply(names(series), one, mc.cores = cores))
write.csv(out, args[5], row.names = FALSE)
