"""Printing (打印): 一企一表 PDFs, rendered by Typst; whole-task prints as jobs in the queue."""
