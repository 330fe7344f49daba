from flask import Blueprint

bp = Blueprint("submissions", __name__)
